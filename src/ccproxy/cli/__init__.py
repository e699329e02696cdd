"""The command line: each command parses its options, calls library code and prints the outcome.
Nothing else imports this package; heavy imports stay inside the commands that need them."""
