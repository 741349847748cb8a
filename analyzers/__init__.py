"""Pure X.509 and PEM analysis that returns findings; no Slack, no database."""
