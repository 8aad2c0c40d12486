# autoencoder_dense: a conv encoder, a dense bottleneck of $latent units, and a mirrored
# decoder. Sweep the latent size with: gpufm sweep models/autoencoder_dense.dsl --grid latent=32,24,16,12,8
let latent = 16

input 28x28x1

block encoder:
  conv2d 32 3x3 same relu
  maxpool 2
  conv2d 64 3x3 same relu
  maxpool 2
  flatten
  dense $latent relu name=latent

block decoder:
  dense 3136 relu
  reshape 7x7x64
  conv2d_transpose 64 3x3 same stride=2 relu
  conv2d_transpose 32 3x3 same stride=2 relu
  conv2d 1 3x3 same sigmoid

train:
  loss bce
  optimizer adam lr=0.001
  batch 128
  epochs 20
  validation 0.1
