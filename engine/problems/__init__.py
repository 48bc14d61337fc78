"""One Textual-free module per problem: its settings (declared once), its workflow and its result with tables."""
