using System.Management.Automation;
using ExoKit.Native;

namespace ExoKit;

/// <summary>Get-ContactMirrorState: what the contact mirror's state file holds, per tenant and mailbox folder.</summary>
[Cmdlet(VerbsCommon.Get, "ContactMirrorState")]
[OutputType(typeof(MirrorState))]
public sealed class GetContactMirrorState : OperationCmdlet
{
    /// <summary>The state file; else AUTOMATION_SYNCCONTACTS_STATE_PATH, else the user's state directory.</summary>
    [Parameter(Position = 0)]
    public string? StatePath { get; set; }

    protected override void EndProcessing()
    {
        var request = new StateRequest { state_path = StateLocation.Resolve(this, StatePath) };
        using var variables = new SecretBytes(StateLocation.Variables());
        Run(() => Operation.GetContactMirrorState(request.Wire(), variables.Slice));
    }
}
