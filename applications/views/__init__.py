"""Pages of applicant groups and applications."""
