// aipolicy PAC file: send web traffic to the aipolicy proxy.
//
// This one sends EVERYTHING except intranet traffic to the proxy, which is the
// recommended set-up: the proxy decrypts only AI destinations from its catalog and passes
// every other HTTPS connection through as an untouched tunnel (the browser sees the real
// server certificate). AI hosts added to the catalog are then covered at once, with no
// PAC update. To send only AI traffic instead, generate a PAC from the catalog:
//   .venv/bin/python deploy/pac/make_pac.py --proxy aipolicy.example.com:8080 > ai-only.pac
//
// A PAC file only steers the browsers and apps that read it; it enforces nothing. The
// firewall must still force egress through the proxy: allow TCP 80/443 to the internet
// from the proxies only, and block UDP 443 (QUIC / HTTP/3) from clients, or a browser
// reaches AI sites over HTTP/3 without ever asking the proxy.
//
// Edit PROXIES and INTRANET_DOMAINS, then publish the file on an internal web server
// (Content-Type: application/x-ns-proxy-autoconfig) and point browsers at it by GPO/MDM.

// Several proxies: the browser tries them in order. There is deliberately no "; DIRECT"
// at the end: if no proxy answers, AI traffic must fail, not bypass the policy.
var PROXIES = "PROXY aipolicy.example.com:8080";

// Reached directly (with their subdomains). Keep AI services out of this list.
var INTRANET_DOMAINS = ["example.internal", "corp.example.com"];

function inDomain(host, domain) {
    // Label boundary: "openai.com" covers "api.openai.com", never "notopenai.com".
    return host === domain || dnsDomainIs(host, "." + domain);
}

function isLocalAddress(host) {
    // Only IP literals: isInNet on a name would cost a DNS lookup for every request.
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) {
        return isInNet(host, "10.0.0.0", "255.0.0.0") ||
               isInNet(host, "172.16.0.0", "255.240.0.0") ||
               isInNet(host, "192.168.0.0", "255.255.0.0") ||
               isInNet(host, "127.0.0.0", "255.0.0.0") ||
               isInNet(host, "169.254.0.0", "255.255.0.0");
    }
    if (host.indexOf(":") >= 0) {
        var h = host.replace(/^\[|\]$/g, "");
        return h === "::1" || /^f[cd][0-9a-f]{2}:/.test(h) || /^fe[89ab][0-9a-f]:/.test(h);
    }
    return false;
}

function FindProxyForURL(url, host) {
    host = host.toLowerCase();
    if (host === "localhost" || isLocalAddress(host)) {
        return "DIRECT";
    }
    // A name without dots is an intranet host (an IPv6 literal has none either).
    if (host.indexOf(":") < 0 && isPlainHostName(host)) {
        return "DIRECT";
    }
    for (var i = 0; i < INTRANET_DOMAINS.length; i++) {
        if (inDomain(host, INTRANET_DOMAINS[i])) {
            return "DIRECT";
        }
    }
    return PROXIES;
}
