"""A custom import-linter contract: forbid named submodules of an external package.

import-linter squashes an external package into one node ("PySide6"), so its own ``forbidden``
contract cannot tell ``PySide6.QtCore`` from ``PySide6.QtWidgets``. This contract reads the import
lines grimp recorded for each import of the package and names the forbidden submodules it finds.
Registered in pyproject.toml ``[tool.importlinter] contract_types``; lint-imports runs it.
"""

from __future__ import annotations

import re

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class ExternalSubmodulesContract(Contract):
    """Modules under ``source_modules`` never import ``package.<one of submodules>``.

    Configuration: ``source_modules`` (packages or modules of this project), ``package`` (an
    external top-level package), ``submodules`` (names such as ``QtWidgets``).
    """

    source_modules = fields.ListField(subfield=fields.ModuleField())
    package = fields.StringField()
    submodules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        names = "|".join(re.escape(str(s)) for s in self.submodules)  # type: ignore[attr-defined]
        pattern = re.compile(rf"\b{re.escape(str(self.package))}\.({names})\b|\bimport\b.*\b({names})\b")
        found = []
        for source in self.source_modules:  # type: ignore[attr-defined]
            modules = {source.name} | graph.find_descendants(source.name)
            for module in sorted(modules):
                for detail in graph.get_import_details(importer=module, imported=str(self.package)):
                    if pattern.search(detail["line_contents"]):
                        found.append(f"{module}:{detail['line_number']}: {detail['line_contents']}")
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["found"]:
            output.print_error(line)
            output.new_line()
