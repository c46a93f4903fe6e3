"""Pages of grants, contracts, tranches, reports and settlement."""
