using ClaimsService.Domain;

namespace ClaimsService.Data.Stores;

public sealed partial class PersonYear
{
    /// <summary>The admission and discharge dates of an active stay (a run re-resolves its set and candidates on them).</summary>
    public (DateOnly Admission, DateOnly Discharge) DatesOf(string adjudicationId)
    {
        var row = Row(adjudicationId);
        var discharge = row.DischargeDate ?? BusinessDay.Of(row.AdjudicatedAt);
        return (row.AdmissionDate ?? discharge, discharge);
    }

    /// <summary>
    /// A run's adjustment of a stay: its own idempotency key (run, stay), so a run never adjusts a stay twice;
    /// related to the stay's settlement (api.md "Re-adjudication runs"), with the stay's national identifiers, as a reversal's
    /// adjustment has them (statements and setlId-keyed detail checks find it with its stay).
    /// </summary>
    private static AdjudicationRow RunAdjustment(PlannedEntry entry, AdjudicationRow stay, string runId, DateTime now)
    {
        var row = WithNationalOf(stay, AdjustmentOf(entry, stay, Keys.RunAdjustment(runId, stay.Id), stay.Id, now));
        row.RunId = runId;
        return row;
    }
}
