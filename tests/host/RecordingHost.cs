using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation.Host;

namespace ExoKit.Host;

/// <summary>
/// A PowerShell host that records everything that reaches the console — output lines, errors,
/// warnings, verbose lines, progress, prompts — and, when <see cref="Echo"/> is on, also prints it.
/// Tests assert on the record; the console program echoes.
/// </summary>
public sealed class RecordingHost : PSHost
{
    private readonly RecordingHostUI _ui;
    private readonly Guid _id = Guid.NewGuid();

    public RecordingHost(bool echo = false)
    {
        _ui = new RecordingHostUI(echo);
    }

    /// <summary>What reached the console, in order.</summary>
    public RecordingHostUI Console => _ui;

    public int? ExitCode { get; private set; }

    public override string Name => "ExoKitHost";
    public override Version Version => new(1, 0);
    public override Guid InstanceId => _id;
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;
    public override void EnterNestedPrompt() => throw new NotSupportedException("Nested prompts are not supported.");
    public override void ExitNestedPrompt() => throw new NotSupportedException("Nested prompts are not supported.");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
}

/// <summary>One line as the console would show it, and which stream it came from.</summary>
public sealed record HostLine(string Kind, string Text);
