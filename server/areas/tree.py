"""The area tree, as a parent map loaded once per request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping


class AreaTree:
    def __init__(self, parents: Mapping[int, int | None]) -> None:
        self._parents = dict(parents)
        self._children: dict[int, list[int]] = {}
        for area_id, parent_id in self._parents.items():
            if parent_id is not None:
                self._children.setdefault(parent_id, []).append(area_id)

    def __contains__(self, area_id: int) -> bool:
        return area_id in self._parents

    def ancestors(self, area_id: int) -> Iterator[int]:
        """``area_id`` itself, then its parent, up to the root."""
        seen: set[int] = set()
        current: int | None = area_id
        while current is not None and current not in seen:
            seen.add(current)
            yield current
            current = self._parents.get(current)

    def descendants(self, area_id: int) -> list[int]:
        """``area_id`` and every area beneath it, parents before children."""
        ordered = [area_id]
        for current in ordered:
            ordered.extend(sorted(self._children.get(current, ())))
        return ordered

    def roots(self) -> list[int]:
        return sorted(a for a, parent in self._parents.items() if parent is None)
