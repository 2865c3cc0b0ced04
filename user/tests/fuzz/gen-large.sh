#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Write the large seeds of corpus/: files at the parser's and the
# request's limits, too long to write by hand. Run from this folder.
set -eu
cd corpus

# A 64 KiB comment, a 64 KiB word and a 64 KiB line of blanks
{
	printf '#%065535d\n' 0
	printf 'link add a dev eth1\n'
	printf 'link add %065536d dev eth2\n' 0
} | tr 0 x >long-lines.conf
{
	printf 'link add a dev eth1%65536s\n' ''
	printf 'check a icmp 192.0.2.1%65536s# blanks before\n' ''
} >long-blanks.conf

# 1024 rules with every match: MWAN_A_RULES takes more than one 64 KiB
# attribute
{
	printf 'link add l dev lo\npolicy add p member l\n'
	i=1
	while [ $i -le 1024 ]; do
		printf 'rule add r%u policy p family ipv6 proto tcp src 2001:db8::/32 dst 2001:db8:1::/48 sport 1-2 dport 3-4 iif lo mark 0x1/0xff local\n' $i
		i=$((i + 1))
	done
} >rules-1024.conf

# 255 links, the most there are ids for, in one policy of 64 members
# (the kernel's most), each link checked
{
	i=1
	while [ $i -le 255 ]; do
		printf 'link add l%u dev eth%u weight %u\n' $i $((i % 5)) $i
		printf 'check l%u icmp 192.0.2.%u 2001:db8::%x\n' $i $i $i
		i=$((i + 1))
	done
	printf 'policy add p'
	i=1
	while [ $i -le 64 ]; do
		printf ' member l%u metric %u weight %u' $i $((i % 4)) $i
		i=$((i + 1))
	done
	printf '\nglobals set default-policy p\n'
} >links-255.conf

# 256 links without ids: the last has none left
{
	i=1
	while [ $i -le 256 ]; do
		printf 'link add l%u dev lo\n' $i
		i=$((i + 1))
	done
} >error-links-256.conf

# 8 targets of each family, in turn, each probed 16 times
{
	printf 'link add a dev eth1\ncheck a icmp'
	i=1
	while [ $i -le 8 ]; do
		printf ' 192.0.2.%u' $i
		i=$((i + 1))
	done
	printf ' count 16 reliability 8\nlink add b dev eth2\ncheck b icmp'
	i=1
	while [ $i -le 8 ]; do
		printf ' fd00::%u' $i
		i=$((i + 1))
	done
	printf ' reliability 8\n'
} >targets-8.conf
