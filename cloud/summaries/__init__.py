"""Daily and weekly adherence summaries (filled by the analytics jobs, read over REST)."""
