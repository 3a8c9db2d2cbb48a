// Skip guards that say why. A test skipped on a machine that cannot run it (no Linux /proc, no mount
// rights, no Kafka definitions checked out) must say so in the run's output, so a skip is never
// mistaken for a pass. Guards for code that "may not exist yet" do not belong in the suite.

/** True (skip) when `reason` is given; the reason is printed with what is skipped. */
export function skipBecause(what: string, reason: string | null | undefined): boolean {
  if (!reason) return false;
  console.warn(`SKIPPED ${what}: ${reason}`);
  return true;
}
