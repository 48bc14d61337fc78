"""One workflow per problem: its settings declaration, one function from settings to a typed result, and that result's tables."""
