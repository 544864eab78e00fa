-- Each clause label records the learned model that decided it and its probability (NULL for rule-only labels).
ALTER TABLE analysis.clause_labels ADD COLUMN model_version VARCHAR;
ALTER TABLE analysis.clause_labels ADD COLUMN probability DOUBLE;
ALTER TABLE analysis.clause_labels ADD COLUMN explanation VARCHAR;
