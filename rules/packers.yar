// Packed executables. Packing hides code from scanners; Debian packages ship none, so a
// packed ELF file outside the package manager's files is suspicious.

rule packed_upx_elf
{
    meta:
        id = "packed-upx"
        severity = "medium"
        kind = "suspicious"
        description = "ELF executable packed with UPX, outside the files of OS packages"
        outside_packages = true
    strings:
        $magic = "UPX!"
        $info = "This file is packed with the UPX"
    condition:
        uint32(0) == 0x464c457f and filesize < 64MB and ($magic in (0..4096) or $info)
}
