namespace ExoKit.Native;

/// <summary>A summary's line when it is shown from the information stream (-PassThru, -WhatIf).</summary>
public partial class MirrorSummary
{
    public override string ToString() => WhatIf
        ? $"{Tenant} {Step}: would create {WouldCreate}, would update {WouldUpdate}, skipped {Skipped}, failed {Failed}"
        : $"{Tenant} {Step}: created {Created}, updated {Updated}, skipped {Skipped}, failed {Failed}, {Requests} requests";
}
