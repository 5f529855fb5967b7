using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace ExoKit.Host;

/// <summary>The user interface half of <see cref="RecordingHost"/>.</summary>
public sealed class RecordingHostUI : PSHostUserInterface
{
    private readonly object _gate = new();
    private readonly bool _echo;
    private readonly StringBuilder _partial = new();
    private readonly List<HostLine> _lines = new();
    private readonly List<ProgressRecord> _progress = new();
    private readonly List<string> _prompts = new();
    private readonly FixedRawUI _raw = new();

    internal RecordingHostUI(bool echo)
    {
        _echo = echo;
        _colour = echo && !System.Console.IsOutputRedirected;
    }

    /// <summary>Keep ANSI styling only when echoing to a terminal; the record is always plain text.</summary>
    private readonly bool _colour;
    private static readonly System.Text.RegularExpressions.Regex Ansi = new("\x1b\\[[0-9;?]*[ -/]*[@-~]");

    private static string Plain(string text) => Ansi.Replace(text, "");

    /// <summary>Answers for choice prompts (-Confirm), taken in order; when empty, the default choice.</summary>
    public Queue<int> ChoiceAnswers { get; } = new();

    public IReadOnlyList<HostLine> Lines { get { lock (_gate) { Flush(); return _lines.ToList(); } } }
    public IReadOnlyList<ProgressRecord> Progress { get { lock (_gate) { return _progress.ToList(); } } }
    public IReadOnlyList<string> Prompts { get { lock (_gate) { return _prompts.ToList(); } } }

    /// <summary>Everything shown, one string, for "appears nowhere" checks.</summary>
    public string AllText()
    {
        lock (_gate)
        {
            Flush();
            var text = new StringBuilder();
            foreach (HostLine line in _lines) text.AppendLine(line.Text);
            foreach (ProgressRecord p in _progress) text.AppendLine($"{p.Activity} {p.StatusDescription} {p.CurrentOperation}");
            foreach (string prompt in _prompts) text.AppendLine(prompt);
            return text.ToString();
        }
    }

    public override PSHostRawUserInterface RawUI => _raw;

    public override void Write(string value) => Append("Output", value);
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append("Output", value);
    public override void WriteLine(string value) => Append("Output", value + "\n");
    public override void WriteErrorLine(string value) => Line("Error", value);
    public override void WriteDebugLine(string message) => Line("Debug", "DEBUG: " + message);
    public override void WriteVerboseLine(string message) => Line("Verbose", "VERBOSE: " + message);
    public override void WriteWarningLine(string message) => Line("Warning", "WARNING: " + message);
    public override void WriteInformation(InformationRecord record) { }

    public override void WriteProgress(long sourceId, ProgressRecord record)
    {
        lock (_gate) { _progress.Add(record); }
    }

    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
    {
        lock (_gate)
        {
            string labels = string.Join(" ", choices.Select(c => "[" + c.Label.Replace("&", "") + "]"));
            _prompts.Add($"{caption}\n{message}\n{labels}");
            int answer = ChoiceAnswers.Count > 0 ? ChoiceAnswers.Dequeue() : defaultChoice;
            if (_echo) System.Console.WriteLine($"{caption}\n{message}\n{labels} -> {choices[answer].Label.Replace("&", "")}");
            return answer;
        }
    }

    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
    {
        throw Unattended($"prompted for {string.Join(", ", descriptions.Select(d => d.Name))}");
    }

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
        => throw Unattended("prompted for a credential");

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
        PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
        => throw Unattended("prompted for a credential");

    public override string ReadLine() => throw Unattended("asked to read a line");
    public override SecureString ReadLineAsSecureString() => throw Unattended("asked to read a secret");

    private static PSInvalidOperationException Unattended(string what)
        => new($"This host runs unattended, but the command {what}. Pass the value as a parameter.");

    private void Line(string kind, string text)
    {
        lock (_gate)
        {
            Flush();
            _lines.Add(new HostLine(kind, Plain(text)));
            if (_echo) (kind == "Error" ? System.Console.Error : System.Console.Out).WriteLine(_colour ? text : Plain(text));
        }
    }

    private void Append(string kind, string text)
    {
        lock (_gate)
        {
            _partial.Append(Plain(text));
            if (_echo) System.Console.Write(_colour ? text : Plain(text));
            string buffered = _partial.ToString();
            int end = buffered.LastIndexOf('\n');
            if (end < 0) return;
            foreach (string line in buffered[..end].Split('\n')) _lines.Add(new HostLine(kind, line.TrimEnd('\r')));
            _partial.Clear().Append(buffered[(end + 1)..]);
        }
    }

    private void Flush()
    {
        if (_partial.Length == 0) return;
        _lines.Add(new HostLine("Output", _partial.ToString()));
        _partial.Clear();
    }

    /// <summary>A fixed 120-column console: enough for the module's tables.</summary>
    private sealed class FixedRawUI : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override Size BufferSize { get; set; } = new(120, 9999);
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; } = 1;
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new(120, 50);
        public override Size MaxWindowSize => new(120, 50);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get; set; } = new(120, 50);
        public override string WindowTitle { get; set; } = "ExoKit";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new PSInvalidOperationException("This host cannot read keys.");
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
