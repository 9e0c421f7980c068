from django.tasks import task

from ventanilla.sla import automations, sweep


@task()
def sla_sweep():
    return sweep.sla_sweep()


@task()
def sla_automations():
    return automations.automations_run()
