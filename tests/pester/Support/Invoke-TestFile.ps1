<#
.SYNOPSIS
    Runs one Pester file the way `cargo xtask test` and `cargo xtask pester` do: in a pwsh of its
    own, with a JUnit XML result file, ending with one parseable summary line.
.DESCRIPTION
    The last line is `pester: <file>: N passed, N failed, N skipped`; the exit code is 0 only when
    the file ran and no test failed. A file that does not load, or a run that breaks, counts as
    one failure.
#>
param(
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [string] $Pester,
    [Parameter(Mandatory)] [string] $ResultFile,
    [string] $FullNameFilter
)
Import-Module $Pester -MinimumVersion 6.2.0 -ErrorAction Stop
$name = Split-Path $Path -Leaf

# XML 1.0 cannot hold control characters, and failure messages can (a child pwsh's error text
# carries ANSI colour codes): Pester's own writer then throws and the report is lost.
function Remove-ControlCharacter([string] $Text) { $Text -replace '\x1b\[[0-9;]*[A-Za-z]', '' -replace '[\x00-\x08\x0b\x0c\x0e-\x1f]', '' }

function Write-Report($Result) {
    $records = @($Result.Failed.ErrorRecord) + @($Result.FailedBlocks.ErrorRecord) + @($Result.FailedContainers.ErrorRecord)
    foreach ($record in $records | Where-Object { $_ }) {
        foreach ($property in 'DisplayErrorMessage', 'DisplayStackTrace') {
            $text = Remove-ControlCharacter ([string]$record.$property)
            $record | Add-Member -MemberType NoteProperty -Name $property -Value $text -Force
        }
    }
    $Result | Export-JUnitReport -Path $ResultFile
}

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.Output.RenderMode = 'Plaintext'
if ($FullNameFilter) { $configuration.Filter.FullName = $FullNameFilter }
try {
    $result = Invoke-Pester -Configuration $configuration
    Write-Report $result
} catch {
    Write-Host "Pester could not run or report ${name}: $_"
    "pester: ${name}: 0 passed, 1 failed, 0 skipped"
    exit 1
}
$failed = $result.FailedCount + $result.FailedContainersCount
if ($failed -eq 0 -and $result.Result -ne 'Passed') { $failed = [Math]::Max(1, $result.FailedBlocksCount) }
"pester: ${name}: $($result.PassedCount) passed, $failed failed, $($result.SkippedCount) skipped"
exit ([int]($failed -gt 0 -or $result.Result -ne 'Passed'))
