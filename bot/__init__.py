"""certdesk's transport-independent core (Desk), its adapters, Store and CLI."""
