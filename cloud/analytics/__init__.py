"""Analytics: adherence summaries, stale marking, insights, refill forecast; set-wise SQL."""
