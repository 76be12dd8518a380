"""The programme's results: measures, reports and exports (issue 14, being built)."""
