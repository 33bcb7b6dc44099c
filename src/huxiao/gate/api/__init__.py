"""F-GATE API (API.md): visits, pick-ups and guard duty."""
