"""One small module per provider format. A JSON adapter is ``(root: JV, c: Collector)``:
it hands the collector every place where the format puts user content, with the role of
the message it belongs to, then lets ``residual`` sweep up whatever it did not know."""
