"""Local token counting: tiktoken with encodings shipped in a package, else an estimate."""
