# autoencoder: the convolutional autoencoder of the MNIST study (1,185,793 parameters,
# 1,536 of them non-trainable). The encoder block is what its classifier reuses.
input 28x28x1

block encoder:
  conv2d 128 3x3 same relu
  batchnorm
  maxpool 2
  dropout 0.2
  conv2d 256 3x3 same relu
  batchnorm
  maxpool 2
  dropout 0.2

block decoder:
  conv2d 256 3x3 same relu
  batchnorm
  upsample 2
  dropout 0.2
  conv2d 128 3x3 same relu
  batchnorm
  upsample 2
  dropout 0.2
  conv2d 1 3x3 same sigmoid

train:
  loss mse
  optimizer adam lr=0.001
  batch 64
  epochs 200
  validation 0.1
