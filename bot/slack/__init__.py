"""The Slack adapter: Bolt listeners, Block Kit rendering, file downloads, posting, and
the HTTP server.

It turns Slack events into the core's `Incoming`, and the Desk's `Reply` into Block Kit;
the Desk does the work. It may import the core, `knowledge` and `analyzers`, never the
terminal adapter or the command line.
"""
