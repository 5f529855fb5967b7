using System;
using System.Management.Automation;
using ExoKit.Native;

namespace ExoKit;

/// <summary>
/// The one pattern every ExoKit cmdlet follows: start a Rust operation, then pull its events on
/// the pipeline thread (the only thread PowerShell lets write) until it is done.
/// <see cref="StopProcessing"/> (Ctrl+C, <c>PowerShell.Stop()</c>) runs on another thread and
/// only cancels.
/// </summary>
public abstract class OperationCmdlet : PSCmdlet
{
    /// <summary>How long one pull waits; bounds how late a stop is noticed on this side.</summary>
    private const uint PollMilliseconds = 100;

    /// <summary>Every information record ExoKit writes carries this tag.</summary>
    private static readonly string[] InformationTags = { "ExoKit" };

    private readonly object _gate = new();
    private Operation? _running;
    private bool _stopping;

    /// <summary>A secret announced by <c>SecretReady</c>, for the next record written.</summary>
    private System.Security.SecureString? _pendingSecret;

    /// <summary>Runs an operation to its end, writing what it produces.</summary>
    protected void Run(Func<Operation> start)
    {
        Operation operation = start();
        lock (_gate)
        {
            _running = operation;
            if (_stopping)
            {
                operation.Cancel();
            }
        }
        bool done = false;
        try
        {
            Drain(operation);
            done = true;
        }
        finally
        {
            if (!done)
            {
                // Stopped early (Select-Object -First, Ctrl+C, an error): the work is cancelled and
                // awaited, so what it holds (the state file's lock) is released before we return.
                operation.Cancel();
                AwaitEnd(operation);
            }
            CompleteProgress();
            lock (_gate)
            {
                _running = null;
                operation.Dispose();
            }
        }
    }

    /// <summary>Pulls (and drops) events until Done, for at most a few seconds.</summary>
    private static void AwaitEnd(Operation operation)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            using WireOfEvent wire = operation.NextEvent(PollMilliseconds);
            if (wire.Unwire().IsDone)
            {
                return;
            }
        }
    }

    /// <summary>The activities this cmdlet showed progress for, to complete when it ends.</summary>
    private readonly System.Collections.Generic.List<string> _progressShown = new();

    /// <summary>Completes every progress bar this cmdlet showed, so no stale bar stays drawn.</summary>
    private void CompleteProgress()
    {
        foreach (string activity in _progressShown)
        {
            try
            {
                WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
            catch (PipelineStoppedException)
            {
                // The pipeline is gone (stopped): PowerShell clears its progress itself.
                return;
            }
            catch (InvalidOperationException)
            {
                // Not on the pipeline thread any more; nothing to complete.
                return;
            }
        }
        _progressShown.Clear();
    }

    /// <summary>The record about to be written; a cmdlet may keep it (return null) or change it.</summary>
    protected virtual PSObject? OnRecord(PSObject output) => output;

    protected override void StopProcessing()
    {
        lock (_gate)
        {
            _stopping = true;
            _running?.Cancel();
        }
    }

    private void Drain(Operation operation)
    {
        while (true)
        {
            Event next;
            using (WireOfEvent wire = operation.NextEvent(PollMilliseconds))
            {
                next = wire.Unwire();
            }
            if (next.IsDone)
            {
                return;
            }
            if (next.IsSecretReady)
            {
                _pendingSecret = SecretBytes.Receive(operation, next.AsSecretReady());
                continue;
            }
            Dispatch(next);
        }
    }

    private void Dispatch(Event next)
    {
        if (next.IsIdle)
        {
            return;
        }
        if (next.IsVerbose)
        {
            WriteVerbose(next.AsVerbose());
        }
        else if (next.IsInformation)
        {
            WriteInformation(next.AsInformation(), InformationTags);
        }
        else if (next.IsWarning)
        {
            WriteWarning(next.AsWarning());
        }
        else if (next.IsProgress)
        {
            ProgressRecord progress = Records.ToProgress(next.AsProgress());
            if (!_progressShown.Contains(progress.Activity))
            {
                _progressShown.Add(progress.Activity);
            }
            WriteProgress(progress);
        }
        else if (next.IsRecord)
        {
            PSObject output = Records.ToOutput(next.AsRecord());
            if (_pendingSecret is not null)
            {
                // The secret belongs to this record; it never was a field of it.
                output.Properties.Add(new PSNoteProperty("Secret", _pendingSecret));
                _pendingSecret = null;
            }
            PSObject? written = OnRecord(output);
            if (written is not null)
            {
                WriteObject(written);
            }
        }
        else if (next.IsError)
        {
            Fail(next.AsError());
        }
    }

    private void Fail(ErrorInfo error)
    {
        if (_stopping && error.ErrorId == "ExoKit.Cancelled")
        {
            // The pipeline is being stopped: PowerShell reports that itself.
            throw new PipelineStoppedException();
        }
        ErrorRecord record = Records.ToErrorRecord(error);
        if (error.Terminating)
        {
            ThrowTerminatingError(record);
        }
        WriteError(record);
    }
}

/// <summary>
/// A cmdlet that works on a connection: this runspace's (see <see cref="Connections"/>), or the
/// one -Connection names (the object Connect-ExoKit -PassThru or Get-ExoKitContext returns).
/// </summary>
public abstract class ConnectedCmdlet : OperationCmdlet
{
    /// <summary>The connection to use instead of this runspace's (Connect-ExoKit -PassThru's output).</summary>
    [Parameter]
    public ExoKitContext? Connection { get; set; }

    /// <summary>The connection handle for the operation (0: none; Rust then says NotConnected).</summary>
    protected ulong ConnectionId => Connections.Resolve(Connection);
}
