"""One workflow per problem: settings, the computation, and its result's tables (no Textual, no Rich)."""
