"""`evaluator template TABLE -o actuals.xlsx|csv`: write the actuals file a department fills in
(:func:`evaluator.template.make_template`)."""
from __future__ import annotations

import argparse

from ..readers import read_targets
from ..template import classified_count, make_template
from .common import output_file
from ..wording import message


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("template", help=message("cli_template", "help"), description=message("cli_template", "description"))
    p.add_argument("table", metavar="TABLE", help=message("cli_template", "table_help"))
    p.add_argument("-o", "--output", required=True, metavar="FILE", help=message("cli_template", "output_help"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = output_file(args.output, (".xlsx", ".csv"), message("cli_template", "template_file"))  # refused before any work: t.docx is not an xlsx
    table = read_targets(args.table)
    written = make_template(table, path)
    secret = classified_count(table)
    note = message("cli_template", "classified", n=secret) if secret else ""
    print(message("cli_template", "written", path=written, projects=len(table.projects) - secret, note=note,
                  indicators=len(table.indicators)))
    return 0
