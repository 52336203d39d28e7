"""Fixed values of escorted handovers (who may send them is the access policy's:
`access.policy.HANDOVER_SENDING_PROFESSIONS`)."""

from __future__ import annotations

from tukipolku.core.choices import Profession

RECEIVING_NURSE_PROFESSIONS: frozenset[str] = frozenset({Profession.PUBLIC_HEALTH_NURSE, Profession.NURSE})
"""The receiving nurse is a (public health) nurse of the receiving team."""
