"""Example grammars (``*.lark``), a JSON schema and random sentences of each."""
