using System.Linq;
using System.Management.Automation;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>
/// Seed 000's second how-to: publish a calendar with each detail level and get its URLs, stop
/// publishing, the sharing policy that blocks it, a German mailbox, and the external-booking
/// guard on user mailboxes.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class CalendarTests
{
    private const string Room = "room1@contoso.onmicrosoft.com";
    private const string Hans = "hans@contoso.onmicrosoft.com";

    [Fact]
    public void Publishing_on_with_each_detail_level_returns_the_urls_and_off_clears_them()
    {
        using SandboxProcess sandbox = AppAccessTests.Tenant();
        using Admin admin = AppAccessTests.Connected(sandbox);
        ShellResult before = admin.Run($"Get-CalendarPublishing -Mailbox {Room}");
        dynamic off = before.Output.Single();
        Assert.Equal("ExoKit.CalendarPublishing", before.Output.Single().TypeNames[0]);
        Assert.False((bool)off.PublishEnabled);
        Assert.Null((string?)off.PublishedCalendarUrl);

        string? firstUrl = null;
        foreach (string level in new[] { "AvailabilityOnly", "LimitedDetails", "FullDetails" })
        {
            ShellResult set = admin.Run(
                $"Set-CalendarPublishing -Mailbox {Room} -Enabled $true -DetailLevel {level} -PublishDateRangeFrom OneMonth -PublishDateRangeTo OneYear");
            Assert.Null(set.Terminating);
            Assert.Empty(set.Warnings);
            dynamic on = set.Output.Single();
            Assert.True((bool)on.PublishEnabled);
            Assert.Equal(level, (string)on.DetailLevel);
            Assert.Equal("OneMonth", (string)on.PublishDateRangeFrom);
            Assert.Equal("OneYear", (string)on.PublishDateRangeTo);
            Assert.EndsWith("/calendar.html", (string)on.PublishedCalendarUrl);
            Assert.EndsWith("/calendar.ics", (string)on.PublishedICalUrl);
            firstUrl ??= (string)on.PublishedCalendarUrl;
            Assert.Equal(firstUrl, (string)on.PublishedCalendarUrl);
        }

        dynamic reset = admin.Run($"Set-CalendarPublishing -Mailbox {Room} -ResetUrl").Output.Single();
        Assert.NotEqual(firstUrl, (string)reset.PublishedCalendarUrl);

        dynamic stopped = admin.Run($"Set-CalendarPublishing -Mailbox {Room} -Enabled $false").Output.Single();
        Assert.False((bool)stopped.PublishEnabled);
        Assert.Null((string?)stopped.PublishedCalendarUrl);
        Assert.Null((string?)stopped.PublishedICalUrl);
    }

    [Fact]
    public void A_german_mailbox_is_found_by_its_calendar_folder_id()
    {
        using SandboxProcess sandbox = AppAccessTests.Tenant();
        using Admin admin = AppAccessTests.Connected(sandbox);
        ShellResult set = admin.Run($"Set-CalendarPublishing -Mailbox {Hans} -Enabled $true");
        Assert.Null(set.Terminating);
        dynamic on = set.Output.Single();
        Assert.Equal("Kalender", (string)on.FolderName);
        Assert.NotNull((string?)on.PublishedICalUrl);
        Assert.DoesNotContain(sandbox.Requests(), r => r.Contains("InvokeCommand") && r.EndsWith(" 400"));
    }

    [Fact]
    public void A_sharing_policy_without_anonymous_publishing_is_named_in_the_error()
    {
        using SandboxProcess sandbox = AppAccessTests.Tenant();
        using Admin admin = AppAccessTests.Connected(sandbox);
        ShellResult refused = admin.Run($"Set-CalendarPublishing -Mailbox {AppAccessTests.Bob} -Enabled $true");
        Assert.NotNull(refused.Terminating);
        Assert.Equal("ExoKit.Service.NotAllowedPublishingByPolicyException", refused.TerminatingRecord!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("No Anonymous", refused.Terminating!.Message);
        Assert.Contains("'Anonymous:' entry", refused.Terminating.Message);
    }

    [Fact]
    public void WhatIf_changes_nothing()
    {
        using SandboxProcess sandbox = AppAccessTests.Tenant();
        using Admin admin = AppAccessTests.Connected(sandbox);
        sandbox.ClearRequests();
        ShellResult whatIf = admin.Run($"Set-CalendarPublishing -Mailbox {Room} -Enabled $true -WhatIf");
        Assert.Empty(whatIf.Output);
        Assert.Contains(admin.Shell.Host.Console.Lines, l => l.Text.StartsWith("What if: Performing the operation"));
        Assert.DoesNotContain(sandbox.Requests(), r => r.Contains("InvokeCommand"));
    }

    [Fact]
    public void External_booking_is_refused_on_a_user_mailbox_unless_forced()
    {
        using SandboxProcess sandbox = AppAccessTests.Tenant();
        using Admin admin = AppAccessTests.Connected(sandbox);
        ShellResult room = admin.Run($"Set-CalendarExternalBooking -Mailbox {Room} -Enabled $true");
        Assert.Null(room.Terminating);
        dynamic roomResult = room.Output.Single();
        Assert.Equal("RoomMailbox", (string)roomResult.RecipientTypeDetails);
        Assert.True((bool)roomResult.ProcessExternalMeetingMessages);

        ShellResult user = admin.Run($"Set-CalendarExternalBooking -Mailbox {AppAccessTests.Alice} -Enabled $true");
        ErrorRecordAssert.Is(user.TerminatingRecord, "ExoKit.InvalidArgument", "InvalidArgument");
        Assert.Contains("-Force", user.Terminating!.Message);
        Assert.Contains(AppAccessTests.Alice, user.Terminating.Message);

        dynamic forced = admin.Run($"Set-CalendarExternalBooking -Mailbox {AppAccessTests.Alice} -Enabled $true -Force").Output.Single();
        Assert.True((bool)forced.ProcessExternalMeetingMessages);
        dynamic closed = admin.Run($"Set-CalendarExternalBooking -Mailbox {AppAccessTests.Alice} -Enabled $false").Output.Single();
        Assert.False((bool)closed.ProcessExternalMeetingMessages);
    }
}
