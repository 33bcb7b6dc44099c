"""Writes of the gate (STYLE habit 2): visits, pick-ups and guard duty."""
