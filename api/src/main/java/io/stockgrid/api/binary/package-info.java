/**
 * Binary protocol v1: length-prefixed frames on TCP, each carrying one fixed-layout little-endian message (a 16-byte
 * header, a fixed block, then variable-length fields in a fixed order). Layouts live in the {@code *Descriptor}
 * classes; {@code *Encoder} and {@code *Decoder} are flyweights over Agrona buffers, wrapped per message and reused.
 * Every decoder's {@code validate()} checks the structure and every value against {@link io.stockgrid.api.Limits},
 * exactly as the HTTP door does, and never throws for any content. docs/protocol.md documents every byte.
 */
package io.stockgrid.api.binary;
