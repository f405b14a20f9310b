"""ifm rollout status|move|modules: the rollout console from the shell."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ifm.core.errors import ServiceError
from ifm.rollout import selectors, services
from ifm.rollout.board import board
from ifm.rollout.models import Phase, Wave
from ifm.rollout.summary import rollout_summary
from ifm.tenancy import modules
from ifm.tenancy.models import Organization


class Command(BaseCommand):
    help = (
        "The rollout: `status` shows the board (phases, their organizations, onboarding), "
        "`move --org S --phase P [--wave W]` puts an organization in a phase and gives it the "
        "phase's modules, `modules --org S [--enable KEY ...] [--disable KEY ...]` changes its "
        "own overrides (`--reset` drops them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "move", "modules"])
        parser.add_argument("--org", metavar="SLUG")
        parser.add_argument("--phase", metavar="PHASE", help="slug, name or number")
        parser.add_argument("--wave", metavar="WAVE", help="a wave of the phase, by name")
        parser.add_argument("--enable", nargs="+", default=[], metavar="KEY")
        parser.add_argument("--disable", nargs="+", default=[], metavar="KEY")
        parser.add_argument(
            "--reset", action="store_true", help="modules: drop the overrides first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "status":
                self._status()
            elif options["action"] == "move":
                self._move(options)
            else:
                self._modules(options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc

    def _org(self, options: dict[str, Any]) -> Organization:
        if not options["org"]:
            raise CommandError(f"{options['action']} needs --org.")
        org = selectors.organization_get(options["org"])
        if org is None:
            raise CommandError(f"There is no organization {options['org']!r}.")
        return org

    def _phase(self, options: dict[str, Any]) -> Phase:
        if not options["phase"]:
            raise CommandError("move needs --phase.")
        phase = selectors.phase_get(options["phase"])
        if phase is None:
            names = ", ".join(p.slug for p in selectors.phase_list())
            raise CommandError(f"There is no phase {options['phase']!r}; the phases are {names}.")
        return phase

    def _wave(self, phase: Phase, name: str | None) -> Wave | None:
        if not name:
            return None
        wave = selectors.wave_get(phase=phase, name=name)
        if wave is None:
            names = ", ".join(w.name for w in selectors.wave_list(phase)) or "none"
            raise CommandError(f"{phase.name} has no wave {name!r}; its waves: {names}.")
        return wave

    def _status(self) -> None:
        for column in board():
            target = column.phase.target_organizations if column.phase else None
            count = f"{len(column.cards)}" + (f" of {target}" if target else "")
            self.stdout.write(f"{column.title} ({count}; {column.modules_label})")
            for card in column.cards:
                wave = card.rollout.wave.name if card.rollout and card.rollout.wave else "-"
                overrides = f", {card.overrides} override(s)" if card.overrides else ""
                self.stdout.write(
                    f"  {card.organization.slug:<24} wave {wave:<12} "
                    f"onboarding {card.checklist.done}/{card.checklist.total}  "
                    f"modules {card.modules_enabled}/{card.modules_total}{overrides}"
                )
            if not column.cards:
                self.stdout.write("  (none)")

    def _move(self, options: dict[str, Any]) -> None:
        org = self._org(options)
        phase = self._phase(options)
        services.organization_move(
            organization=org, phase=phase, wave=self._wave(phase, options["wave"]), actor=None
        )
        self._show(org)

    def _modules(self, options: dict[str, Any]) -> None:
        org = self._org(options)
        try:
            enable = modules.clean_module_keys(options["enable"])
            disable = modules.clean_module_keys(options["disable"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        current = selectors.rollout_get(org)
        enabled = set() if options["reset"] or current is None else set(current.modules_enabled)
        disabled = set() if options["reset"] or current is None else set(current.modules_disabled)
        enabled = (enabled - set(disable)) | set(enable)
        disabled = (disabled - set(enable)) | set(disable)
        services.organization_modules_override(
            organization=org, enabled=sorted(enabled), disabled=sorted(disabled), actor=None
        )
        self._show(org)

    def _show(self, org: Organization) -> None:
        org.refresh_from_db()
        summary = rollout_summary(org)
        self.stdout.write(
            f"{org.slug}: {summary.phase.name if summary.phase else 'no phase'}"
            + (f", {summary.wave.name}" if summary.wave else "")
        )
        for row in summary.modules:
            state = "on " if row.enabled else "off"
            note = f" ({row.override} for this organization)" if row.override else ""
            self.stdout.write(f"  {state} {row.key}{note}")
