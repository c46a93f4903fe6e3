"""Pages of the commission's work: the member's (`member`), the official's
forming of the commission and assignments (`commission`), progress, ranking,
recommendation and decisions (`results`), and the applicant's view of the
reviews (`applicant`)."""
