"""certdesk's transport-independent core, with its Store, adapters and command line below.

The modules at this level are the core: `desk` (the Desk: one `Incoming` in, one
`Reply` out), `types`, `messages` (ja/en texts), `config`, `learned` (FAQ entries learned
from escalations), `reports`, `render_text` and `evaluate`. The core may import
`knowledge`, `analyzers` and `bot.store`; it never imports an adapter (`bot.slack`,
`bot.terminal`) or the command line (`bot.cli`), which sit on top of it. The import
rules are contracts in pyproject.toml, checked by tests/test_architecture.py.
"""
