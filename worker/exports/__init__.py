"""Exports and open data: the official's spreadsheets (decisions, scoring
matrix, formal check, grants register), the commission's minutes, the public
results as a page, CSV, JSON and 360Giving JSON, and the background jobs that
build large exports."""
