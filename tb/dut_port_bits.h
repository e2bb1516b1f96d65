// dut_port_bits.h - copies between 64-bit LSB-first word arrays (tb/dut.h)
// and Verilator port types (an integral CData/SData/IData/QData or a
// VlWide<N> of 32-bit words). C++ only; used by tb/dut_verilated.cpp.
#ifndef SPARSECIM_DUT_PORT_BITS_H
#define SPARSECIM_DUT_PORT_BITS_H

#include <cstdint>
#include <type_traits>

constexpr int dut_clog2(int v)
{
    int b = 0;
    while ((1 << b) < v)
        b++;
    return b;
}

// dst <- `bits` bits of src (NULL: zeros).
template <typename W>
inline void dut_put_bits(W &dst, const uint64_t *src, int bits)
{
    if constexpr (std::is_integral<W>::value) {
        (void)bits;
        dst = src ? (W)src[0] : (W)0;
    } else {
        int words = (bits + 31) / 32;
        for (int w = 0; w < words; w++)
            dst[w] = src ? (uint32_t)(src[w / 2] >> (32 * (w % 2))) : 0u;
    }
}

// A field of up to 32 bits starting at bit lsb.
template <typename W>
inline uint32_t dut_get_field(const W &v, int lsb, int width)
{
    uint64_t mask = width >= 32 ? 0xffffffffull : ((1ull << width) - 1);
    if constexpr (std::is_integral<W>::value) {
        return (uint32_t)(((uint64_t)v >> lsb) & mask);
    } else {
        uint64_t lo = v[lsb / 32];
        if ((lsb % 32) + width > 32)
            lo |= (uint64_t)v[lsb / 32 + 1] << 32;
        return (uint32_t)((lo >> (lsb % 32)) & mask);
    }
}

// dst (ceil(bits/64) words) <- the low `bits` bits of v.
template <typename W>
inline void dut_get_bits(const W &v, uint64_t *dst, int bits)
{
    if constexpr (std::is_integral<W>::value) {
        (void)bits;
        dst[0] = (uint64_t)v;
    } else {
        int words = (bits + 31) / 32;
        for (int w = 0; w < (bits + 63) / 64; w++)
            dst[w] = 0;
        for (int w = 0; w < words; w++)
            dst[w / 2] |= (uint64_t)v[w] << (32 * (w % 2));
    }
}

#endif
