"""The small torch proposer (auxiliary constructions, program candidates). Not built yet."""
