"""Looking at graphs and speculation: summary tables, DOT/drawings, explain()."""
