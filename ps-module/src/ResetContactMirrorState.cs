using System.Management.Automation;
using ExoKit.Native;

namespace ExoKit;

/// <summary>
/// Reset-ContactMirrorState: deletes the contact mirror's state file, so that the next run reads
/// every folder whole and seeds it again (and forgets pending deletions).
/// </summary>
[Cmdlet(VerbsCommon.Reset, "ContactMirrorState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class ResetContactMirrorState : OperationCmdlet
{
    /// <summary>The state file; else AUTOMATION_SYNCCONTACTS_STATE_PATH, else the user's state directory.</summary>
    [Parameter(Position = 0)]
    public string? StatePath { get; set; }

    protected override void EndProcessing()
    {
        string target = StatePath ?? "the contact mirror state file (AUTOMATION_SYNCCONTACTS_STATE_PATH or the user's state directory)";
        if (!ShouldProcess(target, "Delete the contact mirror state"))
        {
            return;
        }
        var request = new StateRequest { state_path = StateLocation.Resolve(this, StatePath) };
        using var variables = new SecretBytes(StateLocation.Variables());
        Run(() => Operation.ResetContactMirrorState(request.Wire(), variables.Slice));
    }
}
