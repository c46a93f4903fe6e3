"""Reads behind the exports, each scoped to the user asking and each a fixed
number of queries however many applications the competition has.

- The spreadsheets and the minutes are the operator's: only its officials
  (and, for the minutes, the commission's chair) get them; anyone else gets
  404, as if the competition were not there.
- Scores leave the system only once scoring has closed (or the competition is
  decided), the same rule the ranking follows.
- The public results are published once a competition is decided: applicant,
  title, amount awarded and award date, the programme, and the public
  identifiers of organisations. Nothing about people: no e-mails, no members,
  no individual scores.
"""

from .common import competition_for_official, require_official, require_results_open
from .minutes import Minutes, MinutesConflict, MinutesMember, MinutesRow, minutes
from .public import (
    PublicResult,
    as_public,
    public_competition,
    public_competitions_decided,
    public_results,
    public_results_all,
)
from .spreadsheets import (
    DecisionRow,
    DecisionsList,
    FormalFinding,
    FormalRow,
    FormalSheet,
    GrantRegister,
    GrantRow,
    MatrixComment,
    MatrixRow,
    MatrixStatus,
    ScoringMatrix,
    TrancheRow,
    decisions_list,
    formal_results,
    grants_register,
    scoring_matrix,
)

__all__ = [
    "DecisionRow",
    "DecisionsList",
    "FormalFinding",
    "FormalRow",
    "FormalSheet",
    "GrantRegister",
    "GrantRow",
    "MatrixComment",
    "MatrixRow",
    "MatrixStatus",
    "Minutes",
    "MinutesConflict",
    "MinutesMember",
    "MinutesRow",
    "PublicResult",
    "ScoringMatrix",
    "TrancheRow",
    "as_public",
    "competition_for_official",
    "decisions_list",
    "formal_results",
    "grants_register",
    "minutes",
    "public_competition",
    "public_competitions_decided",
    "public_results",
    "public_results_all",
    "require_official",
    "require_results_open",
    "scoring_matrix",
]
