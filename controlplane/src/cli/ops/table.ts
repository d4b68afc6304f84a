import Table from "cli-table3";

/**
 * A table for operator listings: a rule under the header only (no line between rows, so long
 * listings stay compact) and no colours (output is often piped to grep).
 */
export function listingTable(head: string[]): InstanceType<typeof Table> {
  return new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
}
