"""lifeline: LEO satellite lifelines for cut-off places."""
