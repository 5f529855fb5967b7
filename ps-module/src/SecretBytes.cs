using System;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using ExoKit.Native;
using ExoKit.Native.Common;

namespace ExoKit;

/// <summary>
/// A SecureString as pinned UTF-8 bytes for one call into Rust, zeroed when disposed. The
/// plaintext never becomes a managed string.
/// </summary>
internal sealed class SecretBytes : IDisposable
{
    private readonly byte[] _bytes;
    private GCHandle _pin;

    internal SecretBytes(SecureString secret)
    {
        IntPtr unicode = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try
        {
            unsafe
            {
                var chars = new ReadOnlySpan<char>((char*)unicode, secret.Length);
                _bytes = GC.AllocateUninitializedArray<byte>(Encoding.UTF8.GetByteCount(chars), pinned: true);
                Encoding.UTF8.GetBytes(chars, _bytes);
            }
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(unicode);
        }
        _pin = GCHandle.Alloc(_bytes, GCHandleType.Pinned);
    }

    /// <summary>Takes bytes that may hold secrets (a JSON of variables); they are zeroed on dispose.</summary>
    internal SecretBytes(byte[] bytes)
    {
        _bytes = bytes;
        _pin = GCHandle.Alloc(_bytes, GCHandleType.Pinned);
    }

    /// <summary>
    /// Takes a secret the operation announced (<c>SecretReady</c>, <paramref name="length"/>
    /// UTF-8 bytes) into a read-only SecureString. The bytes and chars pass through pinned
    /// arrays zeroed before they are released, so the plaintext never becomes a managed string.
    /// </summary>
    internal static SecureString Receive(Operation operation, uint length)
    {
        byte[] bytes = GC.AllocateUninitializedArray<byte>((int)length, pinned: true);
        char[] chars = Array.Empty<char>();
        try
        {
            unsafe
            {
                fixed (byte* start = bytes)
                {
                    uint written = operation.TakeSecret(SliceMutByte.From((IntPtr)start, length));
                    if (written != length)
                    {
                        throw new InvalidOperationException("ExoKit: the announced secret could not be taken");
                    }
                }
            }
            chars = GC.AllocateUninitializedArray<char>(Encoding.UTF8.GetCharCount(bytes), pinned: true);
            Encoding.UTF8.GetChars(bytes, chars);
            var secure = new SecureString();
            foreach (char c in chars)
            {
                secure.AppendChar(c);
            }
            secure.MakeReadOnly();
            return secure;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
            Array.Clear(chars);
        }
    }

    /// <summary>A borrowed view for the duration of one native call.</summary>
    internal SliceByte Slice => SliceByte.From(_pin.AddrOfPinnedObject(), (ulong)_bytes.Length);

    public void Dispose()
    {
        CryptographicZero();
        if (_pin.IsAllocated)
        {
            _pin.Free();
        }
    }

    private void CryptographicZero()
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_bytes);
    }
}
