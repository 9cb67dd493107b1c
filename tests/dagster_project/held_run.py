"""A Dagster run that holds still in its only step until it is killed (``python held_run.py``).

Run in ``$DAGSTER_HOME`` the way ``make demo`` runs (in process, recorded in that instance); it
prints ``holding`` once the step is executing, so a test knows when to SIGKILL it.
"""

import time

import dagster as dg


@dg.op
def hold() -> None:
    print("holding", flush=True)
    time.sleep(600)


@dg.job(executor_def=dg.in_process_executor)
def held_job() -> None:
    hold()


if __name__ == "__main__":
    with dg.DagsterInstance.get() as instance:
        held_job.execute_in_process(instance=instance)
