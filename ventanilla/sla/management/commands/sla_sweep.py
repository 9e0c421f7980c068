from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ventanilla.sla.automations import automations_run
from ventanilla.sla.sweep import sla_sweep


class Command(BaseCommand):
    help = _("Mark SLA warnings and breaches once and run their actions, then the automations.")

    def add_arguments(self, parser):
        parser.add_argument("--no-automations", action="store_true")

    def handle(self, *args, **options):
        counts = sla_sweep()
        actions = 0 if options["no_automations"] else automations_run()
        self.stdout.write(
            _("%(warnings)s warnings, %(breaches)s breaches, %(actions)s automation actions.")
            % {**counts, "actions": actions}
        )
