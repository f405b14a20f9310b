from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ifm.ops"
    label = "ops"

    def ready(self) -> None:
        from django_tasks.signals import task_finished, task_started  # noqa: PLC0415 (ready(): the app registry is loaded)

        from ifm.ops import jobs  # noqa: PLC0415 (ready(): the app registry is loaded)

        task_started.connect(jobs.on_task_started, dispatch_uid="ifm.ops.jobs.started")
        task_finished.connect(jobs.on_task_finished, dispatch_uid="ifm.ops.jobs.finished")

        from django.contrib.auth.signals import user_login_failed  # noqa: PLC0415 (ready(): the app registry is loaded)

        from ifm.ops import metrics  # noqa: PLC0415 (ready(): the app registry is loaded)

        user_login_failed.connect(metrics.on_login_failed, dispatch_uid="ifm.ops.metrics.login")

        from ifm.ops import dashboard  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.dashboard import register  # noqa: PLC0415 (ready(): the app registry is loaded)

        register("admin", dashboard.admin_tiles, perm="jobs.view")
