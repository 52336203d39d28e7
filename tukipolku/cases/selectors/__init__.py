"""Reads of client data for the cases pages. Every function here asks the access policy
(`tukipolku.access.policy`) and writes the access log (`tukipolku.access.log`).

By area: `episode` (one episode's own rows for its case page), `caseload` (my clients, the caseload
search, follow-ups due), `board` (the team board), `clients` (finding clients, reads before a
relationship is opened), `partners` (partner staff's list). The fetch-and-check of an episode
itself (`episode_get_for`) is `tukipolku.access.log`.
"""

from tukipolku.cases.selectors.board import (
    BoardColumn,
    BoardFilters,
    board_default_pathway,
    board_for,
    board_teams_for,
)
from tukipolku.cases.selectors.caseload import (
    CASELOAD_SEARCH_ROWS,
    FOLLOW_UP_BUCKETS,
    DueFollowUps,
    EpisodeRow,
    caseload_for,
    caseload_search_for,
    follow_up_outcomes,
    follow_ups_due_for,
)
from tukipolku.cases.selectors.clients import (
    ClientHit,
    case_team_candidates,
    client_find_for,
    client_get_for_emergency,
    client_get_for_opening,
    client_log_duplicate_for,
    emergency_episode_for,
)
from tukipolku.cases.selectors.episode import EpisodeDetail, episode_detail, follow_up_get_for
from tukipolku.cases.selectors.partners import SharedEpisode, partner_episodes_for, partner_member_sharing

__all__ = [
    "CASELOAD_SEARCH_ROWS",
    "FOLLOW_UP_BUCKETS",
    "BoardColumn",
    "BoardFilters",
    "ClientHit",
    "DueFollowUps",
    "EpisodeDetail",
    "EpisodeRow",
    "SharedEpisode",
    "board_default_pathway",
    "board_for",
    "board_teams_for",
    "case_team_candidates",
    "caseload_for",
    "caseload_search_for",
    "client_find_for",
    "client_get_for_emergency",
    "client_get_for_opening",
    "client_log_duplicate_for",
    "emergency_episode_for",
    "episode_detail",
    "follow_up_get_for",
    "follow_up_outcomes",
    "follow_ups_due_for",
    "partner_episodes_for",
    "partner_member_sharing",
]
